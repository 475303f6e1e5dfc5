package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.pprof.ProfileType;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** {@code manifest.json}, the archive's last entry: the bundle, the request as understood, every item's fate. */
final class Manifest {

    private static final JsonProvider JSON = JsonProvider.provider();

    private final String bundleId;
    private final String caller;
    private final Instant started;
    private final BundleRequest request;

    Manifest(String bundleId, String caller, Instant started, BundleRequest request) {
        this.bundleId = bundleId;
        this.caller = caller;
        this.started = started;
        this.request = request;
    }

    byte[] json(List<Item> items, Instant ended) {
        JsonArrayBuilder entries = JSON.createArrayBuilder();
        for (Item item : items) {
            JsonObjectBuilder entry = JSON.createObjectBuilder()
                    .add("node", item.node)
                    .add("profile", item.name())
                    .add("status", item.status);
            if (item.bytes == null) {
                entry.addNull("bytes");
            } else {
                entry.add("bytes", item.bytes);
            }
            add(entry, "sha256", item.sha256);
            add(entry, "window", item.window);
            add(entry, "error", item.error);
            entries.add(entry);
        }
        JsonObjectBuilder manifest = JSON.createObjectBuilder().add("bundle", bundleId);
        add(manifest, "caller", caller);
        return manifest
                .add("started", time(started))
                .add("ended", time(ended))
                .add("request", request())
                .add("items", entries)
                .build().toString().getBytes(StandardCharsets.UTF_8);
    }

    private JsonObjectBuilder request() {
        JsonObjectBuilder json = JSON.createObjectBuilder();
        if (request.everyListedNode()) {
            json.add("clients", BundleRequest.EVERY_LISTED_NODE);
        } else {
            JsonArrayBuilder clients = JSON.createArrayBuilder();
            request.clients().forEach(clients::add);
            json.add("clients", clients);
        }
        JsonArrayBuilder profiles = JSON.createArrayBuilder();
        request.profiles().stream().map(ProfileType::wireName).forEach(profiles::add);
        json.add("module", request.module()).add("profiles", profiles);
        if (request.seconds() == null) {
            json.addNull("seconds");
        } else {
            json.add("seconds", request.seconds());
        }
        return json;
    }

    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static void add(JsonObjectBuilder json, String name, String value) {
        if (value == null) {
            json.addNull(name);
        } else {
            json.add(name, value);
        }
    }
}
