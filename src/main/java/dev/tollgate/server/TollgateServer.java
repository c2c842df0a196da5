package dev.tollgate.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.tollgate.api.QueryReadAccess;
import dev.tollgate.cluster.IamChangeFeed;
import dev.tollgate.cluster.Nodes;
import dev.tollgate.db.Dialect;
import dev.tollgate.iam.Freshness;
import dev.tollgate.query.Query;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import dev.tollgate.api.ApiAuthDecorator;
import dev.tollgate.api.ApiErrors;
import dev.tollgate.api.AuditApi;
import dev.tollgate.api.InvitesApi;
import dev.tollgate.api.LegacyTokensApi;
import dev.tollgate.db.JdbcLegacyTokenStore;
import dev.tollgate.debuginfo.DebuginfoStore;
import dev.tollgate.legacy.LegacyCredentials;
import dev.tollgate.legacy.LegacyState;
import dev.tollgate.legacy.LegacyTokens;
import dev.tollgate.legacy.LegacyUsage;
import dev.tollgate.legacy.Migration;
import dev.tollgate.api.ProjectReadGuard;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.ingest.Ingestion;
import dev.tollgate.ingest.TokenCallAuthorizer;
import dev.tollgate.iam.Invites;
import dev.tollgate.api.ServiceAccountsApi;
import dev.tollgate.iam.ServiceAccounts;
import dev.tollgate.token.TokenFormat;
import dev.tollgate.token.Tokens;
import dev.tollgate.api.AuthApi;
import dev.tollgate.api.IamApi;
import dev.tollgate.api.OrganizationsApi;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.db.JdbcAuditStore;
import dev.tollgate.db.JdbcIamStore;
import dev.tollgate.db.JdbcSessionStore;
import dev.tollgate.db.JdbcTokenStore;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Bootstrap;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Members;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Organizations;
import dev.tollgate.iam.Passwords;
import dev.tollgate.iam.Projects;
import dev.tollgate.iam.RoleBindings;
import dev.tollgate.iam.Roles;
import dev.tollgate.session.LoginThrottle;
import dev.tollgate.session.Sessions;
import dev.tollgate.token.BearerTokens;
import dev.tollgate.token.LastUsedTracker;
import dev.tollgate.token.TokenAuthenticator;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part from a {@link ServerConfig} and serves them all on one
 * port - native gRPC, gRPC-Web, REST/JSON, the web UI, {@code /metrics}, {@code /healthz} and
 * {@code /readyz}. {@link #close()} drains in-flight requests, flushes and closes the database.
 */
public final class TollgateServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TollgateServer.class);
  static final int MAX_MESSAGE_BYTES = 64 << 20;

  private final ServerConfig config;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Database db;
  private final Server server;
  private final Components components;
  private Ingestion ingestion;
  private final Optional<Bootstrap.Result> bootstrap;
  private final BootstrapTokenFile bootstrapToken;

  /** The parts tests and the CLI may want to reach directly. */
  public record Components(
      Database db,
      IamState iam,
      Authorizer authorizer,
      TokenAuthenticator tokenAuthenticator,
      LastUsedTracker lastUsed,
      AuditLog audit,
      PrometheusMeterRegistry metrics,
      LegacyState legacyState,
      LegacyUsage legacyUsage) {}

  private TollgateServer(ServerConfig config, InstantSource clock) throws Exception {
    this.config = config;
    try {
      DataDirectoryModes.enforce(config.dataDir());
      closeables.add(DataDirectoryLock.acquire(config.dataDir())); // closed last
      SecureRandom random = new SecureRandom();
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

      db = Database.open(DatabaseUrl.parse(config.databaseUrl(), config.dataDir()));
      closeables.add(db);
      JdbcIamStore iamStore = new JdbcIamStore(db);
      Passwords passwords = new Passwords(random);
      bootstrap = new Bootstrap(iamStore, passwords, clock).runIfEmpty(config.adminEmail(), config.adminPassword());

      // Several servers on one PostgreSQL database: other servers' IAM changes arrive through the
      // change feed, which also bounds how stale the snapshot may get. Alone on SQLite, every change
      // goes through this process and reloads synchronously.
      IamChangeFeed feed = db.dialect() == Dialect.POSTGRESQL
          ? new IamChangeFeed(db.url(), config.iamMaxStaleness()) : null;
      if (feed != null) {
        closeables.add(feed); // closed before the database, after the servers stop
      }
      IamState iam = new IamState(iamStore, feed == null ? Freshness.ALWAYS : feed);
      iam.reload();
      Authorizer authorizer = new Authorizer(iam);
      Organizations organizations = new Organizations(iamStore, iam, authorizer, config.organizationCreation(), clock);
      Projects projects = new Projects(iamStore, iam, authorizer, clock);
      Roles roles = new Roles(iamStore, iam, authorizer, clock);
      RoleBindings bindings = new RoleBindings(iamStore, iam, authorizer, clock);

      AuditLog audit = new AuditLog(new JdbcAuditStore(db), authorizer,
          () -> iam.current().operatorOrganization().map(Organization::id));
      LastUsedTracker lastUsed = new LastUsedTracker(new JdbcTokenStore(db));
      TokenAuthenticator tokenAuthenticator = new TokenAuthenticator(iam, new JdbcTokenStore(db), lastUsed, clock);
      BearerTokens bearerTokens = new BearerTokens(tokenAuthenticator, audit, clock);
      // Closed in reverse: last-used and audit flush before the database closes.
      closeables.add(audit);
      closeables.add(lastUsed);

      ServiceAccounts serviceAccounts = new ServiceAccounts(iamStore, iam, authorizer, clock);
      Tokens tokens = new Tokens(iamStore, iam, authorizer, serviceAccounts, new TokenFormat(random), lastUsed, clock);

      bootstrapToken = BootstrapTokenFile.apply(bootstrap, config.bootstrapTokenFile(), serviceAccounts, bindings, tokens);

      // One throttle for every password check: login and accepting an invite with an existing account.
      LoginThrottle loginThrottle = new LoginThrottle(clock);
      Invites invites = new Invites(iamStore, iam, authorizer, bindings, passwords, loginThrottle, random, clock);
      Members members = new Members(iamStore, iam, authorizer, bindings, passwords, invites, clock);
      Sessions sessions = new Sessions(new JdbcSessionStore(db), passwords, loginThrottle, random, clock,
          new dev.tollgate.audit.UserEvents(audit, iam));
      ApiAuthDecorator auth = new ApiAuthDecorator((token, ip) -> bearerTokens.principal(token, ip, "rest"), sessions,
          config.externalUrl());

      JdbcLegacyTokenStore legacyStore = new JdbcLegacyTokenStore(db, LegacyKeyEncryption.resolve(config, db, random));
      int encrypted = legacyStore.encryptPlaintextKeys(); // refuses to start on a wrong key, before any write
      if (encrypted > 0) {
        log.info("encrypted {} legacy signing key(s) stored in plain text by an earlier version", encrypted);
      }
      LegacyState legacyState = new LegacyState(legacyStore);
      LegacyUsage legacyUsage = new LegacyUsage(legacyStore, clock);
      closeables.add(legacyUsage);
      // Last-used times and legacy call counts reach the database in one batch per period; closed
      // before the two trackers, whose close writes what is left.
      closeables.add(new PeriodicTask("usage-flush", Duration.ofSeconds(10), List.of(lastUsed::flush, legacyUsage::flush)));
      if (feed == null) {
        // Another process on the same SQLite file (a CLI command): its changes arrive within this period.
        closeables.add(new PeriodicTask("state-refresh", Duration.ofSeconds(10), List.of(iam::reload, legacyState::reload)));
      }
      closeables.add(new PeriodicTask("session-purge", Duration.ofHours(1), List.of(sessions::purgeExpired)));
      // The issuer is asked per token: the port (and so the derived URL) is known only after start.
      LegacyTokens legacyTokens = new LegacyTokens(legacyStore, legacyState, iam, authorizer, legacyUsage, this::url, clock);
      legacyTokens.ensureSigningKey();
      Migration migration = new Migration(legacyStore, legacyState, legacyTokens, legacyUsage, iam, iamStore, authorizer,
          serviceAccounts, bindings, tokens, clock);

      TokenCallAuthorizer callAuthorizer = new TokenCallAuthorizer(bearerTokens, iam, authorizer,
          new LegacyCredentials(legacyState, iam, legacyUsage, audit, clock));
      Ingestion ingestion = new Ingestion(db, config.dataDir(),
          IngestSettings.defaults().withRetention(config.retention()).withDebuginfoMaxSize(config.debuginfoMaxSize())
              .withProfileLimits(config.profileLimits()).withDecodeMemoryBytes(config.decodeMemoryBytes())
              .withRetryWindow(config.retryWindow()),
          callAuthorizer, new ProjectReadGuard(authorizer), metrics, clock, new IssuedTokens(iam, legacyState),
          config.objectStore());
      closeables.add(ingestion);
      this.ingestion = ingestion;
      Query query = new Query(ingestion.profileStore(), new Nodes(db.jdbi(), clock), ingestion.debuginfoStore(),
          new QueryReadAccess(callAuthorizer, sessions, authorizer), config.retention(), clock);
      closeables.add(query);

      ServerBuilder sb = serverBuilder(metrics)
          // Stop once nothing new arrived for a second, or after the drain timeout at most.
          .gracefulShutdownTimeout(Duration.ofSeconds(1), config.drainTimeout());
      if (config.tlsSelfSigned()) {
        sb.port(config.port(), SessionProtocol.HTTPS).tlsSelfSigned();
      } else if (config.tlsCertFile() != null) {
        sb.port(config.port(), SessionProtocol.HTTPS).tls(config.tlsCertFile().toFile(), config.tlsKeyFile().toFile());
      } else {
        sb.port(config.port(), SessionProtocol.HTTP);
      }
      List<ServerServiceDefinition> grpc = new ArrayList<>(ingestion.grpcServices());
      grpc.add(query.grpcService());
      sb.service(grpcService(grpc), grpcDecorator(grpc));
      // The server's 64 MiB bounds a whole request, a stream's total included; a debug-info upload
      // is a stream of 8 MiB chunks that only --debuginfo-max-size bounds (the store refuses
      // anything past it as the bytes arrive), plus room for the chunks' framing.
      // The server's five-minute request timeout would also cut a large upload whose client sends
      // no grpc-timeout; Parca gives an upload 15 minutes (a grpc-timeout, when sent, still wins).
      long uploadLimit = config.debuginfoMaxSize() + config.debuginfoMaxSize() / 8 + MAX_MESSAGE_BYTES;
      // A Write stream carries two records of up to 64 MiB each (samples, then locations); the
      // room past them lets a refused stream's client finish the message it is sending (drained,
      // see DRAIN_AFTER_ANSWER) and read its status instead of a reset.
      long writeLimit = 3L * MAX_MESSAGE_BYTES;
      sb.routeDecorator().path("/parca.profilestore.v1alpha1.ProfileStoreService/Write")
          .build((delegate, ctx, req) -> {
            ctx.setMaxRequestLength(writeLimit);
            return delegate.serve(ctx, req);
          });
      sb.routeDecorator().path("/parca.debuginfo.v1alpha1.DebuginfoService/Upload")
          .build((delegate, ctx, req) -> {
            ctx.setMaxRequestLength(uploadLimit);
            ctx.setRequestTimeout(TimeoutMode.SET_FROM_START, DebuginfoStore.MAX_UPLOAD_DURATION);
            return delegate.serve(ctx, req);
          });

      ApiErrors errors = new ApiErrors();
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new AuthApi(sessions, organizations, config.httpsForBrowsers()));
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new OrganizationsApi(organizations, projects, members, sessions));
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new IamApi(roles, bindings, authorizer));
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new ServiceAccountsApi(serviceAccounts, tokens, bindings, iam));
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new AuditApi(audit, iam));
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new LegacyTokensApi(legacyTokens, migration));
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(ingestion.restService());
      sb.annotatedService().decorator(auth).exceptionHandlers(errors)
          .build(new InvitesApi(invites, iam));

      sb.service("/healthz", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n"));
      Freshness freshness = iam.freshness();
      sb.service("/readyz", (ctx, req) -> HttpResponse.of(() -> !freshness.isCurrent()
          ? HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8,
              "IAM state not confirmed current (the database is unreachable)\n")
          : db.isReachable()
          ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ready\n")
          : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "database unreachable\n"),
          ctx.blockingTaskExecutor()));
      sb.service("/metrics", (ctx, req) -> HttpResponse.of(HttpStatus.OK,
          MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape()));
      // Before every service, gRPC included: who the client is, believing only trusted proxies.
      sb.decorator(config.trustedProxies().decorator());
      sb.decoratorUnder("/v1/", ReadRequestFirst.decorator());
      sb.decoratorUnder("/api/", ReadRequestFirst.decorator());
      sb.decoratorUnder("/v1/", SecurityHeaders.api());
      sb.serviceUnder("/", FileService.builder(TollgateServer.class.getClassLoader(), "web")
          .autoIndex(false).serveCompressedFiles(false).build()
          .orElse(FileService.of(TollgateServer.class.getClassLoader(), "web/index.html"))
          .decorate(SecurityHeaders.console())
          // gRPC calls to services or methods not served here: UNIMPLEMENTED, not the console's 405
          .decorate(UnknownGrpcMethods::new));

      if (feed != null) {
        // Started once every part exists: from here on the snapshot must be confirmed current.
        feed.start(List.of(iam::reload, legacyState::reload, sessions::forgetCached));
      }
      server = sb.build();
      server.start().join();
      ingestion.announce(nodeUrl());
      components = new Components(db, iam, authorizer, tokenAuthenticator, lastUsed, audit, metrics, legacyState,
          legacyUsage);
    } catch (Exception | Error e) {
      // A failed start (port taken, database unreachable) releases what it took, the data
      // directory lock included, so the same directory can be used again.
      closeResources();
      throw e;
    }
  }

  /**
   * How long the server goes on reading (and discarding) what a client still sends after its call
   * was answered - a refused Write or Upload whose agent keeps streaming - before it resets the
   * stream. Without it the reset follows the status at once, and clients still sending (C-core:
   * Go, Python, Rust agents) report CANCELLED instead of the status the server sent.
   */
  static final Duration DRAIN_AFTER_ANSWER = Duration.ofSeconds(10);

  /**
   * The server's transport settings: 64 MiB requests, as Parca accepts, a five-minute request
   * timeout, requests drained for {@link #DRAIN_AFTER_ANSWER} after their answer, and gRPC
   * requests over the length limit answered RESOURCE_EXHAUSTED. Shared with the ingestion load
   * generator, whose no-op baseline must be the same server.
   */
  public static ServerBuilder serverBuilder(MeterRegistry metrics) {
    return Server.builder()
        .maxRequestLength(MAX_MESSAGE_BYTES)
        .requestTimeout(Duration.ofMinutes(5))
        .requestAutoAbortDelay(DRAIN_AFTER_ANSWER)
        .errorHandler(new OversizeGrpcRequests(MAX_MESSAGE_BYTES))
        .meterRegistry(metrics);
  }

  /**
   * What wraps the gRPC service on the port: a refused call's unread rest is read and thrown away
   * (see {@link DiscardAfterAnswer}), so it cannot stall the client's other calls.
   */
  public static Function<? super HttpService, ? extends HttpService> grpcDecorator(
      List<ServerServiceDefinition> services) {
    Set<String> unary = services.stream().flatMap(s -> s.getMethods().stream())
        .map(ServerMethodDefinition::getMethodDescriptor)
        .filter(m -> m.getType() == MethodDescriptor.MethodType.UNARY)
        .map(m -> "/" + m.getFullMethodName())
        .collect(Collectors.toSet());
    return delegate -> new DiscardAfterAnswer(delegate, MAX_MESSAGE_BYTES, unary);
  }

  /**
   * The gRPC service mounted on the port: {@code services} plus gRPC health and reflection, native
   * gRPC, gRPC-Web and unframed requests, 64 MiB messages, listeners on the blocking-task pool (the
   * event loops only move bytes).
   */
  public static GrpcService grpcService(List<ServerServiceDefinition> services) {
    return GrpcService.builder()
        .addService(new HealthStatusManager().getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addServiceDefinitions(services)
        .supportedSerializationFormats(GrpcSerializationFormats.values())
        .enableUnframedRequests(true)
        .maxRequestMessageLength(MAX_MESSAGE_BYTES)
        .maxResponseMessageLength(MAX_MESSAGE_BYTES)
        .useBlockingTaskExecutor(true)
        .exceptionHandler(OversizeGrpcRequests.grpcExceptionHandler(MAX_MESSAGE_BYTES))
        .build();
  }

  /** Starts a server; throws if the port is taken or the database cannot be opened. */
  public static TollgateServer start(ServerConfig config) throws Exception {
    // Millisecond ticks: what the database stores is what the API returns.
    return start(config, java.time.Clock.tickMillis(java.time.ZoneOffset.UTC));
  }

  public static TollgateServer start(ServerConfig config, InstantSource clock) throws Exception {
    requireNonNull(config, "config");
    return new TollgateServer(config, clock);
  }

  public int port() {
    return server.activeLocalPort();
  }

  /** The base URL of this server, e.g. {@code http://localhost:7070}. */
  public String url() {
    if (config.externalUrl() != null) {
      return config.externalUrl();
    }
    return (config.tls() ? "https" : "http") + "://localhost:" + port();
  }

  /**
   * Where the other servers sharing the database reach this one: {@code --node-url}, else this
   * host's name and the port listened on.
   */
  public String nodeUrl() {
    if (config.nodeUrl() != null) {
      return config.nodeUrl().replaceAll("/$", "");
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    return (config.tls() ? "https" : "http") + "://" + host + ":" + port();
  }

  public Components components() {
    return components;
  }

  /** What the first start created; empty on later starts. */
  public Optional<Bootstrap.Result> bootstrap() {
    return bootstrap;
  }

  /** Prints where the server is and, after a first start, how to log in. */
  public void printWelcome(PrintStream out) {
    out.println("Tollgate is listening on " + url() + " (gRPC, gRPC-Web, REST, UI, /metrics on one port)");
    out.println("Database: " + db.url().dialect().name().toLowerCase(java.util.Locale.ROOT)
        + "; data directory: " + config.dataDir().toAbsolutePath().normalize());
    bootstrap.ifPresent(b -> {
      out.println();
      out.println("First start - created:");
      out.println("  organization 'default'  id " + b.organization().id());
      out.println("  project 'default'       id " + b.project().id());
      out.println("  owner user              " + b.admin().email());
      if (b.generatedPassword() != null) {
        out.println("  password (shown once)   " + b.generatedPassword());
      }
      out.println();
      bootstrapToken.describe(url()).stream().filter(l -> l.startsWith("  ")).forEach(out::println);
      out.println();
      out.println("Log in at " + url() + "/ or: curl -c cookies.txt -H 'content-type: application/json' "
          + "-d '{\"email\":\"" + b.admin().email() + "\",\"password\":\"...\"}' " + url() + "/v1/auth/login");
    });
    // What became of --bootstrap-token-file, when it was not written: never silently ignored.
    List<String> notes = bootstrapToken.describe(url()).stream().filter(l -> !l.startsWith("  ")).toList();
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(out::println);
      out.println();
    }
    out.println("Ready. Ctrl-C or SIGTERM drains in-flight requests and stops.");
    out.flush();
  }

  /** Runs profile retention now (the server runs it every 10 minutes); returns how many segments went. */
  public int enforceRetention() {
    return ingestion.profileStore().enforceRetention();
  }

  /** Stops accepting, drains in-flight requests (up to the drain timeout), flushes, closes. */
  @Override
  public void close() {
    try {
      server.stop().join();
    } finally {
      closeResources();
    }
  }

  /** Closes what the server opened, newest first, so flushes run before the database closes. */
  private void closeResources() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        log.warn("error while closing {}", closeables.get(i).getClass().getSimpleName(), e);
      }
    }
    closeables.clear();
  }
}
