/** The REST/JSON edge: authentication decorator, CSRF, error mapping and the resource handlers. */
package dev.tollgate.api;
