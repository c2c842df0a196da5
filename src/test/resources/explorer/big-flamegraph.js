// Evaluated by ExplorerTest in the console's page: generates a Flamegraph message (the proto3 JSON
// of REPORT_TYPE_FLAMEGRAPH_TABLE, int64 as strings, 1-based table indexes) of `size` nodes,
// renders it with the console's flamegraph.js and answers what a test needs to check it.
async ({ size, search }) => {
  const { flamegraph } = await import('/js/flamegraph.js');
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const strings = [''];
  const fns = [];
  const locations = [];
  const addFunction = (name, file) => {
    strings.push(name);
    strings.push(file);
    fns.push({ nameStringIndex: strings.length - 2, filenameStringIndex: strings.length - 1 });
    locations.push({ address: String(4096 + locations.length * 16), lines: [{ functionIndex: fns.length, line: '1' }] });
    return locations.length; // 1-based location index
  };
  const NAMES = 2000;
  for (let i = 0; i < NAMES; i += 1) addFunction(`pkg${i % 37}.func${i}`, `/src/pkg${i % 37}/file${i % 11}.go`);
  const mainLoc = addFunction('main', '/src/main.go');
  const childLocs = Array.from({ length: 8 }, (_, i) => addFunction(`child.${i}`, '/src/child.go'));

  // Nodes: [0] main, [1..8] its children, then random ones under any node less than 60 deep.
  const nodes = [{ loc: mainLoc, parent: -1, depth: 1, self: 1000 }];
  childLocs.forEach((loc, i) => nodes.push({ loc, parent: 0, depth: 2, self: 100 * (i + 1) }));
  while (nodes.length < size - 1) {
    let p;
    do {
      p = rnd() < 0.7 ? nodes.length - 1 - Math.floor(rnd() * Math.min(20, nodes.length - 1)) : 1 + Math.floor(rnd() * (nodes.length - 1));
    } while (nodes[p].depth >= 60 || p === 0);
    nodes.push({ loc: 1 + Math.floor(rnd() * NAMES), parent: p, depth: nodes[p].depth + 1, self: 1 + Math.floor(rnd() * 100) });
  }
  const cum = nodes.map((n) => n.self);
  for (let i = nodes.length - 1; i > 0; i -= 1) cum[nodes[i].parent] += cum[i];
  const msgs = nodes.map((n, i) => ({ meta: { locationIndex: n.loc }, cumulative: String(cum[i]), children: [] }));
  for (let i = 1; i < nodes.length; i += 1) msgs[nodes[i].parent].children.push(msgs[i]);
  const fg = {
    root: { cumulative: String(cum[0]), children: [msgs[0]] },
    unit: 'nanoseconds',
    stringTable: strings,
    locations,
    function: fns,
  };

  // What the search must find, counted on the generated tree: matching frames, and the value of
  // those with no matching ancestor.
  const nameOf = (i) => strings[fns[locations[nodes[i].loc - 1].lines[0].functionIndex - 1].nameStringIndex];
  let matches = 0;
  let matchedValue = 0;
  const underMatch = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i += 1) {
    const hit = nameOf(i).toLowerCase().includes(search.toLowerCase());
    if (hit) matches += 1;
    const covered = nodes[i].parent >= 0 && underMatch[nodes[i].parent];
    if (covered || hit) underMatch[i] = 1;
    if (hit && !covered) matchedValue += cum[i];
  }
  let widest = 1;
  for (let i = 2; i <= 8; i += 1) if (cum[i] > cum[widest]) widest = i;

  document.getElementById('main').replaceChildren();
  const t0 = performance.now();
  const el = flamegraph(fg);
  el.id = 'big-flamegraph';
  document.getElementById('main').append(el);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const renderMs = performance.now() - t0;

  // One hover, timed: the handler hit-tests and redraws synchronously.
  const at = el.locateFrame('main');
  const canvas = el.querySelector('canvas');
  const t1 = performance.now();
  canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: at.x, clientY: at.y, bubbles: true }));
  const hoverMs = performance.now() - t1;
  canvas.dispatchEvent(new MouseEvent('mouseleave', { bubbles: true }));

  return {
    nodes: size,
    total: cum[0],
    mainSelf: 1000,
    widestChild: nameOf(widest),
    widestChildTotal: cum[widest],
    matches,
    matchedPercent: (100 * matchedValue) / cum[0],
    renderMs,
    hoverMs,
  };
}
