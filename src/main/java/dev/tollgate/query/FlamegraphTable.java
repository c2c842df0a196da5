package dev.tollgate.query;

import dev.tollgate.proto.parca.query.v1alpha1.Flamegraph;
import dev.tollgate.proto.parca.query.v1alpha1.FlamegraphNode;
import dev.tollgate.proto.parca.query.v1alpha1.FlamegraphNodeMeta;
import dev.tollgate.proto.parca.query.v1alpha1.FlamegraphRootNode;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import java.util.HashMap;
import java.util.Map;

/**
 * Parca's "flamegraph table" report: the tree with node metadata as indices into deduplicated
 * tables. Indices are 1-based with 0 meaning none, as Parca's UI reads them:
 * {@code locations[location_index - 1]}, {@code mapping[mapping_index - 1]},
 * {@code function[function_index - 1]}; string indices point into {@code string_table}, whose entry 0 is "".
 */
final class FlamegraphTable {
  private FlamegraphTable() {}

  static Flamegraph build(ProfileMerger.Merged m) {
    FlameTree tree = FlameTree.of(m);
    Flamegraph.Builder fg = Flamegraph.newBuilder().setUnit(m.sampleUnit).setHeight(tree.height + 1)
        .addAllStringTable(m.strings);
    Map<Integer, Integer> locationIndex = new HashMap<>();
    Map<Integer, Integer> mappingIndex = new HashMap<>();
    Map<Long, Integer> functionIndex = new HashMap<>();
    FlamegraphRootNode.Builder root = FlamegraphRootNode.newBuilder().setCumulative(tree.root.cumulative)
        .setDiff(m.columns == 2 ? tree.root.cumulative - tree.root.base : 0);
    for (FlameTree.Node c : tree.root.childList()) {
      root.addChildren(node(m, c, fg, locationIndex, mappingIndex, functionIndex));
    }
    return fg.setRoot(root).setTotal(tree.root.cumulative).setUntrimmedTotal(tree.root.cumulative).build();
  }

  private static FlamegraphNode node(ProfileMerger.Merged m, FlameTree.Node n, Flamegraph.Builder fg,
      Map<Integer, Integer> locationIndex, Map<Integer, Integer> mappingIndex, Map<Long, Integer> functionIndex) {
    int li = locationIndex.computeIfAbsent(n.location, id -> {
      Location l = m.location(id);
      var loc = dev.tollgate.proto.parca.metastore.v1alpha1.Location.newBuilder().setAddress(l.getAddress())
          .setIsFolded(l.getIsFolded());
      if (l.getMappingId() != 0) {
        loc.setMappingIndex(mappingIndex.computeIfAbsent((int) l.getMappingId(), mid -> {
          fg.addMapping(mapping(m, m.mappings.get(mid - 1)));
          return fg.getMappingCount();
        }));
      }
      for (var line : l.getLineList()) {
        int fi = functionIndex.computeIfAbsent(line.getFunctionId(), fid -> {
          var f = m.function(fid);
          fg.addFunction(dev.tollgate.proto.parca.metastore.v1alpha1.Function.newBuilder()
              .setStartLine(f.getStartLine()).setNameStringIndex((int) f.getName())
              .setSystemNameStringIndex((int) f.getSystemName()).setFilenameStringIndex((int) f.getFilename()));
          return fg.getFunctionCount();
        });
        loc.addLines(dev.tollgate.proto.parca.metastore.v1alpha1.Line.newBuilder().setLine(line.getLine())
            .setFunctionIndex(fi));
      }
      fg.addLocations(loc);
      return fg.getLocationsCount();
    });
    FlamegraphNode.Builder b = FlamegraphNode.newBuilder()
        .setMeta(FlamegraphNodeMeta.newBuilder().setLocationIndex(li).setLineIndex(Math.max(n.line, 0)))
        .setCumulative(n.cumulative).setDiff(m.columns == 2 ? n.cumulative - n.base : 0);
    for (FlameTree.Node c : n.childList()) {
      b.addChildren(node(m, c, fg, locationIndex, mappingIndex, functionIndex));
    }
    return b.build();
  }

  /** A pprof mapping as Parca's, with both the strings and their indices in the merged string table. */
  static dev.tollgate.proto.parca.metastore.v1alpha1.Mapping mapping(ProfileMerger.Merged m, Mapping p) {
    return dev.tollgate.proto.parca.metastore.v1alpha1.Mapping.newBuilder().setStart(p.getMemoryStart())
        .setLimit(p.getMemoryLimit()).setOffset(p.getFileOffset())
        .setFile(m.strings.get((int) p.getFilename())).setBuildId(m.strings.get((int) p.getBuildId()))
        .setFileStringIndex((int) p.getFilename()).setBuildIdStringIndex((int) p.getBuildId())
        .setHasFunctions(p.getHasFunctions()).setHasFilenames(p.getHasFilenames())
        .setHasLineNumbers(p.getHasLineNumbers()).setHasInlineFrames(p.getHasInlineFrames()).build();
  }
}
