package dev.reprox.server.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BundleImport.Report} as {@code POST /-/api/admin/import} answers it (docs/api.md) and
 * as {@code reprox import --server} reads it back: the field names in one place.
 */
public final class ImportReportJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImportReportJson() {}

  /** One JSON object, {@code changed} first. */
  public static String write(BundleImport.Report r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("changed", r.changed());
    o.put("blobsNew", r.blobsNew());
    o.put("blobsPresent", r.blobsPresent());
    o.put("bytes", r.bytes());
    o.put("observations", r.observations());
    o.put("signatures", r.signatures());
    o.put("listingsIndexed", r.listingsIndexed());
    o.put("aliases", r.aliases());
    o.put("pinsAdded", r.pinsAdded());
    o.put("pinsUnchanged", r.pinsUnchanged());
    ArrayNode c = o.putArray("conflicts");
    r.conflicts().forEach(c::add);
    return o.toString();
  }

  /** The report {@link #write} wrote; {@code changed} is derived, not read. */
  public static BundleImport.Report read(String json) throws IOException {
    JsonNode j = JSON.readTree(json);
    List<String> conflicts = new ArrayList<>();
    j.path("conflicts").forEach(c -> conflicts.add(c.asText()));
    return new BundleImport.Report(j.path("blobsNew").asInt(), j.path("blobsPresent").asInt(),
        j.path("bytes").asLong(), j.path("observations").asInt(), j.path("signatures").asInt(),
        j.path("listingsIndexed").asInt(), j.path("aliases").asInt(), j.path("pinsAdded").asInt(),
        j.path("pinsUnchanged").asInt(), conflicts);
  }
}
