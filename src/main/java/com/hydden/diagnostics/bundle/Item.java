package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.pprof.ProfileType;
import java.util.HexFormat;

/** One entry of a bundle: a node's profile, or its stats ({@code profile} null), and what became of it. */
final class Item {

    static final String STATS = "stats";

    final String node;
    final ProfileType profile;
    final AuditRecord audit;
    volatile ItemCall call;
    volatile Outcome outcome;

    // What the manifest says; set by the writer thread only.
    int status;
    Long bytes;
    String sha256;
    String window;
    String error;

    Item(String node, ProfileType profile, AuditRecord audit) {
        this.node = node;
        this.profile = profile;
        this.audit = audit;
    }

    /** The profile's wire name, or {@code stats}. */
    String name() {
        return profile == null ? STATS : profile.wireName();
    }

    String entryName() {
        return node + "/" + name() + (profile == null ? ".json" : ".pb.gz");
    }

    String errorEntryName() {
        return node + "/" + name() + ".error.json";
    }

    boolean refusedByLimits() {
        Outcome known = call == null ? null : call.outcome().getNow(null);
        return known != null && known.refused();
    }

    void collected(long size, byte[] digest, String sampled) {
        status = 200;
        bytes = size;
        sha256 = HexFormat.of().formatHex(digest);
        window = sampled;
    }

    void failed(int problemStatus, String problemType) {
        status = problemStatus;
        error = problemType;
    }
}
