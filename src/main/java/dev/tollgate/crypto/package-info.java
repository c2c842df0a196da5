/**
 * Hashing shared by every kind of secret (tokens, session ids, invite codes), kept apart so that
 * {@code iam}, {@code session} and {@code token} depend on it rather than on each other.
 */
package dev.tollgate.crypto;
