package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {
  @TempDir Path dir;

  @Test
  void newFile_isOwnerReadWriteOnly_andHoldsTheSecretAndANewline() throws Exception {
    Path f = dir.resolve("token");
    SecretFile.write(f, "psc_v1_abc", false);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(Files.readString(f)).isEqualTo("psc_v1_abc"); // no newline: parca-push sends the file as it is
  }

  @Test
  void existingFile_isRefusedWithoutForce_andLeftAlone() throws Exception {
    Path f = Files.writeString(dir.resolve("token"), "keep");
    assertThatThrownBy(() -> SecretFile.checkWritable(f, false))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.CONFLICT))
        .hasMessageContaining("--force");
    assertThatThrownBy(() -> SecretFile.write(f, "psc_v1_new", false)).isInstanceOf(CliException.class);
    assertThat(Files.readString(f)).isEqualTo("keep");
  }

  @Test
  void force_replacesAWorldReadableFile_withA0600One() throws Exception {
    Path f = Files.writeString(dir.resolve("token"), "old-and-longer-than-the-new-one");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    SecretFile.checkWritable(f, true);
    SecretFile.write(f, "psc_v1_new", true);
    assertThat(Files.readString(f)).isEqualTo("psc_v1_new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
  }

  @Test
  void aSymlink_isNotFollowed() throws Exception {
    Path target = Files.writeString(dir.resolve("elsewhere"), "victim");
    Path link = Files.createSymbolicLink(dir.resolve("token"), target);
    assertThatThrownBy(() -> SecretFile.write(link, "psc_v1_new", false)).isInstanceOf(CliException.class);
    assertThat(Files.readString(target)).isEqualTo("victim");
  }
}
