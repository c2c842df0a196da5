package dev.tollgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiErrorsTest {
  @Test
  void loggedPaths_maskTheInviteCode_andKeepOtherPaths() {
    String code = "0123456789abcdef0123456789abcdef0123456789abcdef";
    assertThat(ApiErrors.loggablePath("/v1/invites/" + code + "/accept")).isEqualTo("/v1/invites/<secret>/accept");
    assertThat(ApiErrors.loggablePath("/v1/invites/" + code)).isEqualTo("/v1/invites/<secret>");
    assertThat(ApiErrors.loggablePath("/v1/organizations/o1/invites/i1/expire"))
        .isEqualTo("/v1/organizations/o1/invites/i1/expire");
  }
}
