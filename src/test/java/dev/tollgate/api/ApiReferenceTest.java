package dev.tollgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Patch;
import com.linecorp.armeria.server.annotation.Post;
import com.linecorp.armeria.server.annotation.Put;
import dev.tollgate.testing.TestData;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md lists exactly the REST routes the code declares: every annotated route of every
 * compiled class is documented, and every documented route exists.
 */
class ApiReferenceTest {
  private static final Map<Class<? extends Annotation>, String> VERBS = Map.of(
      Get.class, "GET", Post.class, "POST", Patch.class, "PATCH", Put.class, "PUT", Delete.class, "DELETE");
  private static final Pattern DOCUMENTED = Pattern.compile("`(GET|POST|PATCH|PUT|DELETE) (/(?:v1|api)/[^`?]*)`");

  @Test
  void docsListExactlyTheRoutesTheCodeServes() throws Exception {
    Set<String> declared = declaredRoutes(TestData.basedir().resolve("target/classes"));
    assertThat(declared).as("routes found in the compiled classes").hasSizeGreaterThan(40);
    Set<String> documented = new TreeSet<>();
    Matcher m = DOCUMENTED.matcher(Files.readString(TestData.basedir().resolve("docs/api.md")));
    while (m.find()) {
      documented.add(m.group(1) + " " + m.group(2));
    }
    assertThat(documented).as("routes in docs/api.md").containsExactlyInAnyOrderElementsOf(declared);
  }

  private static Set<String> declaredRoutes(Path classes) throws IOException, ReflectiveOperationException {
    Set<String> routes = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> c = Class.forName(name, false, ApiReferenceTest.class.getClassLoader());
        for (Method method : c.getDeclaredMethods()) {
          for (var verb : VERBS.entrySet()) {
            var a = method.getAnnotation(verb.getKey());
            if (a != null) {
              routes.add(verb.getValue() + " " + a.annotationType().getMethod("value").invoke(a));
            }
          }
        }
      }
    }
    return routes;
  }

}
