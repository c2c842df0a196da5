/** The read path: Parca's QueryService over the stored profiles (selectors, merges, reports; agents' Arrow blobs as pprof, symbolized from uploaded debug info), authorized per project. */
package dev.tollgate.query;
