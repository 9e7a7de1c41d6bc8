package dev.reprox.pinning.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprox.pinning.RootIndex;
import dev.reprox.pinning.pgp.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The fuzz harnesses' signing modes must produce files that verify, or the fuzzer would only ever
 * exercise the rejection path and never the parsers behind a good signature.
 */
class FuzzHarnessTest {
  private static final String RELEASE = """
      Origin: Debian
      Suite: oldstable
      Codename: bookworm
      Date: Sat, 11 Jul 2026 10:16:37 UTC
      SHA256:
       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855        0 main/binary-amd64/Packages
      """;

  @Test
  void clearsign_releaseText_verifiesAndParses() throws Exception {
    RootIndex root = InReleaseFuzzTest.VERIFYING.verifyRoot("dists/fuzz/InRelease",
        FuzzSupport.key().clearsign(RELEASE.getBytes(StandardCharsets.UTF_8)), null);

    assertThat(root.verified()).isTrue();
    assertThat(root.files()).containsKey("dists/fuzz/main/binary-amd64/Packages");
  }

  @Test
  void clearsign_lineStartingWithDash_stillVerifies() throws Exception {
    byte[] text = "Date: x\n-dash\ntrailing  \n".getBytes(StandardCharsets.UTF_8);

    byte[] cleartext = SignatureVerifier.unverifiedCleartext(FuzzSupport.key().clearsign(text));

    assertThat(cleartext).isEqualTo(text);
  }

  @Test
  void signDetached_release_verifies() throws Exception {
    byte[] release = RELEASE.getBytes(StandardCharsets.UTF_8);

    RootIndex root = InReleaseFuzzTest.VERIFYING.verifyRoot("dists/fuzz/Release", release,
        FuzzSupport.key().signDetached(release));

    assertThat(root.verified()).isTrue();
  }

  @Test
  void signedIndex_apkRecords_verifyAndList() throws Exception {
    byte[] text = "C:Q125bMmvVC13SP1NtBwN+YKl+ro34=\nP:libffi\nV:3.4.2-r0\nA:x86_64\nS:69454\n\n"
        .getBytes(StandardCharsets.UTF_8);

    RootIndex root = ApkIndexFuzzTest.VERIFYING.verifyRoot(ApkIndexFuzzTest.PATH, ApkIndexFuzzTest.signedIndex(text), null);

    assertThat(root.verified()).isTrue();
    assertThat(root.files()).containsOnlyKeys("v3.16/main/x86_64/libffi-3.4.2-r0.apk");
  }

  @Test
  void armoredDetached_repomd_verifies() throws Exception {
    byte[] xml = ("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>1736761560</revision>"
        + "<data type=\"primary\"><checksum type=\"sha256\">"
        + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855</checksum>"
        + "<location href=\"repodata/primary.xml.gz\"/><size>0</size></data></repomd>").getBytes(StandardCharsets.UTF_8);

    RootIndex root = RepomdFuzzTest.VERIFYING.verifyRoot(RepomdFuzzTest.PATH, xml,
        FuzzSupport.armor(FuzzSupport.key().signDetached(xml)));

    assertThat(root.verified()).isTrue();
    assertThat(root.files()).hasSize(1);
  }
}
