/** Service-account tokens: the psc_v1_ format, authentication and last-used tracking. */
package dev.tollgate.token;
