/** Human log-in: password check with throttling, cookie sessions and their CSRF tokens. */
package dev.tollgate.session;
