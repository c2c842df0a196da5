/** The audit log: IAM changes (written in their own transactions) and refused authentications (written asynchronously). */
package dev.tollgate.audit;
