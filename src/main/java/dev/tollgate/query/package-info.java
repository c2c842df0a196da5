/** The read path: Parca's QueryService over the stored profiles (selectors, merges, reports), authorized per project. */
package dev.tollgate.query;
