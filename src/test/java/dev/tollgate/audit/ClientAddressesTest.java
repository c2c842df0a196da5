package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientAddressesTest {
  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, 127.0.0.1",
      "0:0:0:0:0:0:0:1, ::1",
      "::ffff:10.1.2.3, 10.1.2.3",
      "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
      "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
      "fe80:0:0:0:0:0:0:0, fe80::",
      "0:0:0:0:0:0:0:0, ::",
      "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
  })
  void addresses_areWrittenAsPeopleWriteThem(String in, String shown) throws Exception {
    assertThat(ClientAddresses.display(InetAddress.getByName(in))).isEqualTo(shown);
  }
}
