/**
 * Legacy project tokens (EdDSA JWTs, the format users migrate from): signing keys, strict
 * verification on the ingestion path, usage counters and the migration assistant.
 */
package dev.tollgate.legacy;
