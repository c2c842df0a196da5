package dev.tollgate.profiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Canonical JSON of label sets and type lists as stored in the index (sorted keys, no spaces). */
final class Json {
  /** Immutable configuration, safe to share. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String labels(SortedMap<String, String> labels) {
    return write(labels);
  }

  static SortedMap<String, String> parseLabels(String json) {
    try {
      return MAPPER.readValue(json, new TypeReference<TreeMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String list(List<String> values) {
    return write(values);
  }

  static List<String> parseList(String json) {
    try {
      return MAPPER.readValue(json, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String write(Object o) {
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
