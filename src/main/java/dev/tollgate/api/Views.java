package dev.tollgate.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Project;
import dev.tollgate.iam.Role;
import dev.tollgate.iam.RoleBinding;
import dev.tollgate.iam.User;
import java.util.Collection;
import java.util.function.Function;

/** JSON shapes of the IAM resources, field names as IAM.md (lowerCamelCase, RFC 3339 times). */
final class Views {
  private Views() {}

  static ObjectNode organization(Organization o) {
    ObjectNode n = Json.object().put("id", o.id()).put("name", o.name()).put("createdAt", Json.time(o.createdAt()));
    n.putObject("settings")
        .put("maxTokenLifetimeSeconds", o.maxTokenLifetimeSeconds())
        .put("legacyTokensFrozen", o.legacyTokensFrozen());
    return n;
  }

  static ObjectNode project(Project p) {
    return Json.object().put("id", p.id()).put("name", p.name()).put("organizationId", p.organizationId())
        .put("createdAt", Json.time(p.createdAt()));
  }

  static ObjectNode role(Role r) {
    ObjectNode n = Json.object().put("id", r.id()).put("name", r.name()).put("organizationId", r.organizationId());
    ArrayNode perms = n.putArray("permissions");
    r.permissions().forEach(perms::add);
    return n.put("isSystem", r.isSystem()).put("createdBy", r.createdBy());
  }

  static ObjectNode binding(RoleBinding b) {
    return Json.object().put("id", b.id()).put("subject", b.subject()).put("organizationId", b.organizationId())
        .put("projectId", b.projectId()).put("entity", b.entity()).put("role", b.role())
        .put("createdBy", b.createdBy()).put("createdAt", Json.time(b.createdAt()));
  }

  static ObjectNode user(User u) {
    return Json.object().put("id", u.id()).put("email", u.email()).put("createdAt", Json.time(u.createdAt()));
  }

  static <T> ObjectNode list(String key, Collection<T> items, Function<T, ObjectNode> view) {
    ObjectNode n = Json.object();
    ArrayNode a = n.putArray(key);
    items.forEach(i -> a.add(view.apply(i)));
    return n;
  }

  static ObjectNode wrap(String key, ObjectNode item) {
    ObjectNode n = Json.object();
    n.set(key, item);
    return n;
  }
}
