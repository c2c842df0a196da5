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

/** {@code GET /v1/organizations/{organization_id}/audit?since=&limit=&cursor=&action=}, newest first. */
public final class AuditApi {
  private final AuditLog audit;

  public AuditApi(AuditLog audit) {
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
    int limit = 100;
    String l = ctx.queryParam("limit");
    if (l != null && !l.isBlank()) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw TollgateException.invalid("limit", "limit must be an integer 1-1000");
      }
    }
    AuditLog.Page page = audit.page(ApiAuthDecorator.caller(ctx), orgId, since, limit, ctx.queryParam("cursor"),
        ctx.queryParam("action"));
    ObjectNode out = Json.object();
    ArrayNode a = out.putArray("entries");
    for (AuditEntry e : page.entries()) {
      a.add(Json.object().put("seq", e.seq()).put("at", Json.time(e.at())).put("actor", e.actor())
          .put("action", e.action()).put("target", e.target()).put("clientIp", e.clientIp()).put("detail", e.detail()));
    }
    out.put("nextCursor", page.nextCursor());
    return Json.ok(out);
  }
}
