package dev.tollgate.web;

import com.microsoft.playwright.Page;
import java.util.List;

/** The check that no table cell on a page breaks a word across lines (issue 16). */
final class TableWords {
  private TableWords() {}

  /**
   * Every word (hyphenated parts counted separately) of every table cell on the page lies on one
   * line: the words that do not, as "word @ page".
   */
  @SuppressWarnings("unchecked")
  static List<String> brokenInside(Page page, String where) {
    var broken = (List<String>) page.evaluate("""
        () => {
          const bad = [];
          for (const cell of document.querySelectorAll('td, th')) {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            let n;
            while ((n = walker.nextNode())) {
              for (const m of n.data.matchAll(/[^\\s-]+-?/g)) {
                const r = document.createRange();
                r.setStart(n, m.index);
                r.setEnd(n, m.index + m[0].length);
                const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
                if (tops.size > 1) bad.push(m[0]);
              }
            }
          }
          return bad;
        }""");
    return broken.stream().map(w -> w + " @ " + where).toList();
  }
}
