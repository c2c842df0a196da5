package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.AuditEntry;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /v1/organizations/{organization_id}/audit?since=&until=&actor=&limit=&cursor=&action=},
 * newest first; each entry's {@code names} give the current names of the ids in its target and
 * detail (projects, service accounts, tokens, role bindings, the organization).
 */
public final class AuditApi {
  private static final java.util.regex.Pattern UUID =
      java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final AuditLog audit;
  private final dev.tollgate.iam.IamState iam;

  public AuditApi(AuditLog audit, dev.tollgate.iam.IamState iam) {
    this.iam = requireNonNull(iam, "iam");
    this.audit = requireNonNull(audit, "audit");
  }

  @Get("/v1/organizations/{organization_id}/audit")
  @Blocking
  public HttpResponse page(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    Instant since = null;
    String s = ctx.queryParam("since");
    if (s != null && !s.isBlank()) {
      try {
        since = OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        throw TollgateException.invalid("since", "since must be an RFC 3339 timestamp");
      }
    }
    Instant until = null;
    String u = ctx.queryParam("until");
    if (u != null && !u.isBlank()) {
      try {
        until = OffsetDateTime.parse(u).toInstant();
      } catch (DateTimeParseException e) {
        throw TollgateException.invalid("until", "until must be an RFC 3339 timestamp");
      }
    }
    int limit = 100;
    String l = ctx.queryParam("limit");
    if (l != null && !l.isBlank()) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw TollgateException.invalid("limit", "limit must be an integer 1-1000");
      }
    }
    AuditLog.Page page = audit.page(ApiAuthDecorator.caller(ctx), orgId, since, until, limit, ctx.queryParam("cursor"),
        ctx.queryParam("action"), ctx.queryParam("actor"));
    java.util.Map<String, String> known = names(iam.current(), orgId);
    ObjectNode out = Json.object();
    ArrayNode a = out.putArray("entries");
    for (AuditEntry e : page.entries()) {
      ObjectNode entry = Json.object().put("seq", e.seq()).put("at", Json.time(e.at())).put("actor", e.actor())
          .put("action", e.action()).put("target", e.target()).put("clientIp", e.clientIp()).put("detail", e.detail());
      ObjectNode n = entry.putObject("names");
      for (String text : new String[] {e.target(), e.detail()}) {
        if (text != null) {
          UUID.matcher(text).results().map(java.util.regex.MatchResult::group).filter(known::containsKey)
              .forEach(id -> n.put(id, known.get(id)));
        }
      }
      a.add(entry);
    }
    out.put("nextCursor", page.nextCursor());
    return Json.ok(out);
  }

  /** The current name of each id of the organization an entry may mention. */
  static java.util.Map<String, String> names(dev.tollgate.iam.IamSnapshot s, String orgId) {
    java.util.Map<String, String> m = new java.util.HashMap<>();
    s.organization(orgId).ifPresent(o -> m.put(o.id(), o.name()));
    s.projectsOf(orgId).forEach(p -> m.put(p.id(), p.name()));
    for (dev.tollgate.iam.ServiceAccount sa : s.serviceAccountsOf(orgId)) {
      m.put(sa.id(), sa.name());
      s.tokensOf(sa.id()).forEach(t -> m.put(t.id(), sa.name() + " / " + t.name()));
    }
    s.bindingsOf(orgId).forEach(b -> m.put(b.id(), b.subject() + " -> " + b.role()));
    return m;
  }
}
