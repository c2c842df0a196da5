package dev.tollgate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import dev.tollgate.errors.TollgateException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON in and out. Request bodies are read field by field so every mistake is a 400 that names
 * the field; responses are built from {@link ObjectNode}s so nothing internal leaks by accident.
 */
public final class Json {
  // Strict: one JSON value per body, each key once. A body "{...} garbage" or {"role": "viewer",
  // "role": "owner"} means something the sender did not check, and a proxy or another parser may
  // read it differently from us.
  static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static HttpResponse ok(JsonNode body) {
    return respond(HttpStatus.OK, body);
  }

  public static HttpResponse created(JsonNode body) {
    return respond(HttpStatus.OK, body);
  }

  public static HttpResponse noContent() {
    return respond(HttpStatus.OK, object());
  }

  public static HttpResponse respond(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 3339 in UTC, or null. */
  public static String time(Instant i) {
    return i == null ? null : i.toString();
  }

  /** A parsed request body. */
  public static Body body(String text) {
    if (text == null || text.isBlank()) {
      return new Body(object());
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      String m = String.valueOf(e.getOriginalMessage());
      if (m.contains("Duplicate field") || m.contains("Duplicate Object property")) {
        throw TollgateException.invalid("body", "request body has a field twice");
      }
      if (m.contains("Trailing token")) {
        throw TollgateException.invalid("body", "request body has something after its JSON object");
      }
      throw TollgateException.invalid("body", "request body is not valid JSON");
    }
    if (!(n instanceof ObjectNode o)) {
      throw TollgateException.invalid("body", "request body must be a JSON object");
    }
    String nul = firstNul(o, null);
    if (nul != null) {
      throw TollgateException.invalid(nul, nul + " must not contain a NUL character (U+0000)");
    }
    return new Body(o);
  }

  /**
   * The first field whose name or (nested) text holds U+0000, or null. No stored text may hold
   * one (PostgreSQL refuses it), so it is refused here, once for every route.
   */
  private static String firstNul(JsonNode n, String field) {
    if (n.isTextual()) {
      return n.textValue().indexOf('\0') >= 0 ? (field == null ? "body" : field) : null;
    }
    var names = n.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (name.indexOf('\0') >= 0) {
        return "body";
      }
      String found = firstNul(n.get(name), field == null ? name : field);
      if (found != null) {
        return found;
      }
    }
    if (n.isArray()) {
      for (JsonNode e : n) {
        String found = firstNul(e, field);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** Typed access to a JSON object's fields; wrong types are 400s naming the field. */
  public record Body(ObjectNode node) {
    public String string(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isTextual()) {
        throw TollgateException.invalid(field, field + " must be a string");
      }
      return v.textValue();
    }

    public String requiredString(String field) {
      String s = string(field);
      if (s == null) {
        throw TollgateException.invalid(field, field + " is required");
      }
      return s;
    }

    public Boolean bool(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isBoolean()) {
        throw TollgateException.invalid(field, field + " must be true or false");
      }
      return v.booleanValue();
    }

    public Long number(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        return v.longValue();
      }
      if (v.isTextual()) {
        try {
          return Long.parseLong(v.textValue());
        } catch (NumberFormatException e) {
          // fall through to the error below
        }
      }
      throw TollgateException.invalid(field, field + " must be an integer");
    }

    public Instant time(String field) {
      String s = string(field);
      if (s == null || s.isBlank()) {
        return null;
      }
      try {
        return java.time.OffsetDateTime.parse(s).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        throw TollgateException.invalid(field, field + " must be an RFC 3339 timestamp");
      }
    }

    public List<String> strings(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isArray()) {
        throw TollgateException.invalid(field, field + " must be an array of strings");
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw TollgateException.invalid(field, field + " must be an array of strings");
        }
        out.add(e.textValue());
      }
      return out;
    }
  }
}
