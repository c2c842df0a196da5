/** S3-compatible object storage: where sealed profile segments and debug info go (docs/scale-out.md). */
package dev.tollgate.objectstore;
