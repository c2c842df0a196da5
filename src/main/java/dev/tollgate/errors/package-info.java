/** The few typed failures domain code throws; the REST and gRPC edges map them to transport codes. */
package dev.tollgate.errors;
