package dev.reprox.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImportReportJsonTest {
  @Test
  void read_ofWrite_isTheSameReport_everyFieldDistinct() throws Exception {
    // Distinct values: a field written under one name and read under another cannot pass.
    BundleImport.Report r = new BundleImport.Report(1, 2, 3L << 33, 4, 5, 6, 7, 8, 9, List.of("a conflict", "another"));

    String json = ImportReportJson.write(r);

    assertThat(ImportReportJson.read(json)).isEqualTo(r);
    assertThat(json).startsWith("{\"changed\":true,\"blobsNew\":1,");
  }
}
