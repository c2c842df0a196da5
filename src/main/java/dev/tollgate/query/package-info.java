/** Reading stored profiles: agents' Arrow blobs as pprof, symbolized from uploaded debug info. */
package dev.tollgate.query;
