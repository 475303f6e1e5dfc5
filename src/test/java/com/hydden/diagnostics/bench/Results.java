package com.hydden.diagnostics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of one run, kept in the order they were measured, written as the Markdown report and as
 * JSON with the same keys. A section is a table; each figure has a key (for JSON), a label and a unit.
 */
final class Results {

    record Figure(String key, String label, Object value, String unit) {
    }

    record Target(String what, String goal, String measured, boolean met) {
    }

    private final Map<String, String> machine = new LinkedHashMap<>();
    private final Map<String, List<Figure>> sections = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final List<Target> targets = new ArrayList<>();

    void machine(String key, String value) {
        machine.put(key, value);
    }

    void add(String section, String key, String label, Object value, String unit) {
        sections.computeIfAbsent(section, s -> new ArrayList<>()).add(new Figure(key, label, value, unit));
    }

    /** The value of figure {@code key} in {@code section}, when this run measured it. */
    Optional<Object> value(String section, String key) {
        return sections.getOrDefault(section, List.of()).stream()
                .filter(f -> f.key.equals(key)).map(Figure::value).findFirst();
    }

    void note(String section, String text) {
        notes.put(section, text);
    }

    void target(String what, String goal, String measured, boolean met) {
        targets.add(new Target(what, goal, measured, met));
    }

    void write(Path markdown, Path json, String preface) throws IOException {
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, markdown(preface), StandardCharsets.UTF_8);
        Files.writeString(json, json(), StandardCharsets.UTF_8);
    }

    String markdown(String preface) {
        StringBuilder md = new StringBuilder("# Benchmark results\n\n").append(preface).append("\n\n");
        md.append("| machine | |\n|---|---|\n");
        machine.forEach((key, value) -> md.append("| ").append(key).append(" | ").append(value).append(" |\n"));
        if (!targets.isEmpty()) {
            md.append("\n## Targets\n\n| target | goal | measured | met |\n|---|---|---|---|\n");
            for (Target t : targets) {
                md.append("| ").append(t.what).append(" | ").append(t.goal).append(" | ").append(t.measured)
                        .append(" | ").append(t.met ? "yes" : "**no**").append(" |\n");
            }
        }
        sections.forEach((section, figures) -> {
            md.append("\n## ").append(section).append("\n\n");
            if (notes.containsKey(section)) {
                md.append(notes.get(section)).append("\n\n");
            }
            md.append("| figure | value |\n|---|---|\n");
            for (Figure f : figures) {
                md.append("| ").append(f.label).append(" | ").append(format(f.value))
                        .append(f.unit.isEmpty() ? "" : " " + f.unit).append(" |\n");
            }
        });
        return md.toString();
    }

    String json() {
        StringBuilder json = new StringBuilder("{\n  \"machine\": {");
        List<String> entries = new ArrayList<>();
        machine.forEach((key, value) -> entries.add("\n    " + quote(key) + ": " + quote(value)));
        json.append(String.join(",", entries)).append("\n  }");
        sections.forEach((section, figures) -> {
            List<String> values = new ArrayList<>();
            for (Figure f : figures) {
                values.add("\n    " + quote(f.key) + ": " + jsonValue(f.value));
            }
            json.append(",\n  ").append(quote(key(section))).append(": {").append(String.join(",", values)).append("\n  }");
        });
        List<String> goals = new ArrayList<>();
        for (Target t : targets) {
            goals.add("\n    {\"target\": " + quote(t.what) + ", \"goal\": " + quote(t.goal) + ", \"measured\": "
                    + quote(t.measured) + ", \"met\": " + t.met + "}");
        }
        json.append(",\n  \"targets\": [").append(String.join(",", goals)).append("\n  ]\n}\n");
        return json.toString();
    }

    private static String key(String section) {
        return section.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    static String format(Object value) {
        if (value instanceof Double d) {
            double abs = Math.abs(d);
            return String.format(Locale.ROOT, abs >= 100 ? "%.0f" : abs >= 10 ? "%.1f" : abs >= 1 ? "%.2f" : "%.3f", d);
        }
        return String.valueOf(value);
    }

    private static String jsonValue(Object value) {
        if (value instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return quote(String.valueOf(value));
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
