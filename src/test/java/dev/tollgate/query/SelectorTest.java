package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorTest {
  private static final Map<String, String> LABELS = Map.of("__name__", "parca_agent", "comm", "api",
      "node", "prod-1", "job", "a.b", "path", "/x\ny");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', quoteCharacter = '^', value = {
      "{comm=\"api\"}#true",
      "{comm=\"web\"}#false",
      "{comm!=\"web\"}#true",
      "{comm=~\"a.*\"}#true",
      "{comm=~\"p\"}#false",              // anchored: a partial match is no match
      "{comm=~\"xx|api\"}#true",          // the alternation is grouped before anchoring
      "{comm=~\"ap|xx\"}#false",
      "{comm!~\"a.*\"}#false",
      "{node=~\"prod-.*\", comm=\"api\"}#true",
      "{node=~\"prod-.*\", comm=\"api\",}#true",
      "{ node = 'prod-1' }#true",
      "{node=`prod-1`}#true",
      "{missing=\"\"}#true",              // Prometheus: a missing label has the value ''
      "{missing!=\"\"}#false",
      "{missing=~\".*\"}#true",
      "{comm=\"\\x61pi\"}#true",
      "{comm=\"\\u0061pi\"}#true",
      "{comm=\"\\141pi\"}#true",
      "{job=\"a.b\"}#true",
      "{job=~\"a\\\\.b\"}#true",
      "{job=~\"(?i)A.B\"}#true",
      "{job=~\"(?P<x>a)\\\\.b\"}#true",    // RE2 named group
      "{job=~\"[[:alpha:]].[[:alpha:]]\"}#true", // POSIX classes
      "{job=~\"[[:^alpha:]]+\"}#false",
      "{job=~\"[a[]\\\\.b\"}#true",        // '[' inside a class is a literal in RE2
      "{path=~\"/x.y\"}#false",            // '.' does not match a newline
      "{path=~\"(?s)/x.y\"}#true",
      "parca_agent:samples:count:cpu:nanoseconds:delta#true",
      "parca_agent:samples:count:cpu:nanoseconds:delta{comm=\"api\"}#true",
  })
  void selectorsMatchAsPrometheusDoes(String query, boolean matches) {
    assertThat(Selector.parse(query).matchesLabels(LABELS)).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', quoteCharacter = '^', value = {
      "parca_agent:samples:count:cpu:nanoseconds:delta{comm=\"api\" node=\"x\"}#1:60: unexpected \"n\", expected \",\" or \"}\"",
      "{comm=\"api\"#1:12: unexpected end of input, expected \",\" or \"}\"",
      "{comm==\"api\"}#1:7: unexpected \"=\", expected a quoted string",
      "{comm~\"api\"}#1:6: unexpected \"~\", expected one of = != =~ !~",
      "{1comm=\"api\"}#1:2: unexpected \"1\", expected label name",
      "{comm=\"api}#1:7: unterminated quoted string",
      "{comm=\"a\\qb\"}#1:9: unknown escape sequence \\q",
      "{comm=\"\\xZZ\"}#1:8: invalid escape: expected 2 hex digits",
      "{comm=api}#1:7: unexpected \"a\", expected a quoted string",
      "a:b:c{x=\"1\"}#1:1: invalid profile type \"a:b:c\": expected name:sample_type:sample_unit:period_type:period_unit[:delta]",
      "a:b:c:d:e:notdelta#1:1: invalid profile type \"a:b:c:d:e:notdelta\": expected name:sample_type:sample_unit:period_type:period_unit[:delta]",
      "{x=\"1\"} extra#1:9: unexpected \"e\" after the selector",
      "#1:1: empty query: name a profile type and/or label matchers",
      "{x=~\"(a)\\\\1\"}#1:5: label x =~: invalid regex: backreferences (\\1) not supported (RE2 syntax)",
      "{x=~\"a*+\"}#1:5: label x =~: invalid regex: possessive quantifiers (*+) not supported (RE2 syntax)",
      "{x=~\"a(?=b)\"}#1:5: label x =~: invalid regex: lookaround (?=) not supported (RE2 syntax)",
      "{x=~\"(?<=a)b\"}#1:5: label x =~: invalid regex: lookaround (?<) not supported (RE2 syntax)",
      "{x=~\"(?>a)\"}#1:5: label x =~: invalid regex: atomic groups (?>) not supported (RE2 syntax)",
      "{x=~\"[a-z&&[^e]]\"}#1:5: label x =~: invalid regex: class intersection (&&) not supported (RE2 syntax)",
      "{x=~\"(?U)a\"}#1:5: label x =~: invalid regex: the flag U (RE2 knows i, m, s and U; Tollgate accepts i, m and s) not supported (RE2 syntax)",
      "{x=~\"\\\\p{javaLowerCase}\"}#1:5: label x =~: invalid regex: the Unicode class \\p{javaLowerCase} not supported (RE2 syntax)",
      "{x=~\"(a\"}#1:5: label x =~: invalid regex: Unclosed group",
  })
  void badSelectorsNameThePosition(String query, String message) {
    assertThatThrownBy(() -> Selector.parse(query)).isInstanceOf(InvalidQueryException.class).hasMessage(message);
  }

  @org.junit.jupiter.api.Test
  void positionsCountLines() {
    assertThatThrownBy(() -> Selector.parse("{a=\"1\",\n b=}")).hasMessage("2:4: unexpected \"}\", expected a quoted string");
  }

  @org.junit.jupiter.api.Test
  void profileTypeSelectsExactlyThatType() {
    Selector s = Selector.parse("process_cpu:samples:count:cpu:nanoseconds:delta{job=\"demo\"}");
    assertThat(s.matchesType("process_cpu:samples:count:cpu:nanoseconds:delta")).isTrue();
    assertThat(s.matchesType("process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta")).isFalse();
    assertThat(s.matchesType("process_cpu:samples:count:cpu:nanoseconds")).isFalse();
    assertThat(s.profileType().delta()).isTrue();
    assertThat(Selector.parse("{job=\"demo\"}").matchesType("anything:a:b:c:d")).isTrue();
  }
}
