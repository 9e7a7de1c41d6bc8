package dev.reprox.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.Alias;
import dev.reprox.storage.Digest;
import dev.reprox.storage.SizeMismatchException;
import dev.reprox.storage.Storage;
import dev.reprox.storage.memory.MemoryStorage;
import dev.reprox.testkit.apk.ApkGeneration;
import dev.reprox.testkit.apk.ApkKey;
import dev.reprox.testkit.apk.ApkRepoBuilder;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckedWritersTest {
  @TempDir
  Path tmp;

  private final Storage storage = MemoryStorage.builder().build();

  @Test
  void control_matchingQ1AndSize_storesAndRecordsAlias() throws Exception {
    Apk apk = apk();
    FormatCheckedWriter w = new FormatCheckedWriter(storage.blobs().newWriter(), storage.aliases(), apk.q1, "t", apkCheck(apk.q1, "t"));
    feed(w, apk.bytes);

    Digest stored = w.commit(null, apk.bytes.length).digest();

    assertThat(stored).isEqualTo(Digest.compute(apk.bytes));
    assertThat(storage.aliases().resolve(apk.q1)).contains(stored);
  }

  @Test
  void control_alteredControlMember_refusedNothingStored() throws Exception {
    Apk apk = apk();
    byte[] bad = apk.bytes.clone();
    bad[(int) ((apk.controlStart + apk.controlEnd) / 2)] ^= 0x55;
    FormatCheckedWriter w = new FormatCheckedWriter(storage.blobs().newWriter(), storage.aliases(), apk.q1, "t", apkCheck(apk.q1, "t"));
    feed(w, bad);

    assertThatThrownBy(() -> w.commit(null, bad.length)).isInstanceOf(FormatCheckedWriter.ControlMismatchException.class);
    assertThat(storage.blobs().stat(Digest.compute(bad))).isEmpty();
    assertThat(storage.aliases().resolve(apk.q1)).isEmpty();
  }

  @Test
  void control_dataPartAlteredSameSizeAndQ1_refusedNothingStoredNoAlias() throws Exception {
    Apk apk = apk();
    byte[] bad = apk.bytes.clone();
    bad[(int) ((apk.controlEnd + apk.bytes.length) / 2)] ^= 0x01; // inside the data member; control untouched
    FormatCheckedWriter w = new FormatCheckedWriter(storage.blobs().newWriter(), storage.aliases(), apk.q1, "t", apkCheck(apk.q1, "t"));
    feed(w, bad);

    assertThatThrownBy(() -> w.commit(null, bad.length)).isInstanceOf(FormatCheckedWriter.ControlMismatchException.class)
        .hasMessageContaining("data part sha256");
    assertThat(storage.blobs().stat(Digest.compute(bad))).isEmpty();
    assertThat(storage.aliases().resolve(apk.q1)).isEmpty();
  }

  @Test
  void control_realAlpinePackage_storedWhole_dataPartAlteredRefused() throws Exception {
    byte[] real = resource("fixtures/real/alpine/packages/alpine-baselayout-3.2.0-r23.apk");
    Alias q1 = new Alias(Alias.Kind.APK_Q1, Base64.getDecoder().decode("LLq2qDNrS/qRnhxQ3hsY/sHbQnc="));
    byte[] bad = real.clone();
    bad[real.length - 100] ^= 0x01; // the data part is [2229, 11012)

    FormatCheckedWriter refused = new FormatCheckedWriter(storage.blobs().newWriter(), storage.aliases(), q1, "bad", apkCheck(q1, "bad"));
    feed(refused, bad);
    assertThatThrownBy(() -> refused.commit(null, bad.length)).isInstanceOf(FormatCheckedWriter.ControlMismatchException.class)
        .hasMessageContaining("1a3a8e47d2287da6d505d973412cee1ad64bcc17bc5995069e4e932055ecb0c4");
    assertThat(storage.aliases().resolve(q1)).isEmpty();
    assertThat(storage.blobs().stat(Digest.compute(bad))).isEmpty();

    FormatCheckedWriter ok = new FormatCheckedWriter(storage.blobs().newWriter(), storage.aliases(), q1, "real", apkCheck(q1, "real"));
    feed(ok, real);
    assertThat(ok.commit(null, real.length).digest()).isEqualTo(Digest.compute(real));
    assertThat(storage.aliases().resolve(q1)).contains(Digest.compute(real));
  }

  @Test
  void control_wrongSize_refused() throws Exception {
    Apk apk = apk();
    FormatCheckedWriter w = new FormatCheckedWriter(storage.blobs().newWriter(), storage.aliases(), apk.q1, "t", apkCheck(apk.q1, "t"));
    feed(w, apk.bytes);

    assertThatThrownBy(() -> w.commit(null, apk.bytes.length + 1)).isInstanceOf(SizeMismatchException.class);
    assertThat(storage.blobs().stat(Digest.compute(apk.bytes))).isEmpty();
  }

  @Test
  void digest_sha512_matchStoresWithAlias_mismatchRefused() throws Exception {
    byte[] body = "primary.xml.gz stand-in".getBytes();
    Alias good = new Alias(Alias.Kind.SHA512, MessageDigest.getInstance("SHA-512").digest(body));
    DigestCheckedWriter ok = new DigestCheckedWriter(storage.blobs().newWriter(), storage.aliases(), good, "t");
    feed(ok, body);
    assertThat(storage.aliases().resolve(good)).isEmpty();
    assertThat(ok.commit(null, body.length).digest()).isEqualTo(Digest.compute(body));
    assertThat(storage.aliases().resolve(good)).contains(Digest.compute(body));

    byte[] other = "something else, same idea".getBytes();
    DigestCheckedWriter bad = new DigestCheckedWriter(storage.blobs().newWriter(), storage.aliases(), good, "t");
    feed(bad, other);
    assertThatThrownBy(() -> bad.commit(null, other.length))
        .isInstanceOf(FormatCheckedWriter.ControlMismatchException.class).hasMessageContaining("sha512");
    assertThat(storage.blobs().stat(Digest.compute(other))).isEmpty();
  }

  private record Apk(byte[] bytes, Alias q1, long controlStart, long controlEnd) {}

  private Apk apk() throws Exception {
    ApkGeneration g = ApkRepoBuilder.in(tmp).key(ApkKey.generate("t.rsa.pub")).date(Instant.parse("2024-03-01T00:00:00Z"))
        .add("foo", "1.0-r0").publish();
    ApkGeneration.BuiltApk a = g.apk("foo");
    return new Apk(Files.readAllBytes(g.resolve(a.path())),
        new Alias(Alias.Kind.APK_Q1, Base64.getDecoder().decode(a.q1().substring(2))), a.controlStart(), a.controlEnd());
  }

  private static byte[] resource(String name) throws Exception {
    try (var in = CheckedWritersTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** In small direct pieces, as the upstream client hands them over. */
  private static void feed(dev.reprox.storage.BlobWriter w, byte[] bytes) throws Exception {
    for (int off = 0; off < bytes.length; off += 1000) {
      int n = Math.min(1000, bytes.length - off);
      ByteBuffer b = ByteBuffer.allocateDirect(n);
      b.put(bytes, off, n).flip();
      w.write(b);
    }
  }

  /** The apk format's own check of a body named by {@code q1} (index-pinning's ApkBodyCheck). */
  private static dev.reprox.pinning.BodyCheck apkCheck(Alias q1, String what) {
    return dev.reprox.pinning.apk.ApkFormat.builder().clock(java.time.Clock.systemUTC()).build().bodyCheck(q1, what).orElseThrow();
  }
}
