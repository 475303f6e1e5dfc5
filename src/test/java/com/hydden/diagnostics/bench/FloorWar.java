package com.hydden.diagnostics.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** Builds the floor's WAR at bench time, so it never comes near the product's. */
final class FloorWar {

    /** The floor's context root; the product's is {@code /}. */
    static final String CONTEXT_ROOT = "/floor";

    private static final String GLASSFISH_WEB = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE glassfish-web-app PUBLIC "-//GlassFish.org//DTD GlassFish Application Server 3.1 Servlet 3.0//EN"
                    "http://glassfish.org/dtds/glassfish-web-app_3_0-1.dtd">
            <glassfish-web-app>
                <context-root>%s</context-root>
            </glassfish-web-app>
            """.formatted(CONTEXT_ROOT);

    private FloorWar() {
    }

    /** Writes {@code floor.war} into {@code dir}; returns its path. */
    static Path export(Path dir) throws IOException {
        Path war = Files.createDirectories(dir).resolve("floor.war");
        ShrinkWrap.create(WebArchive.class, "floor.war")
                .addClasses(FloorApplication.class, FloorResource.class)
                .addAsWebInfResource(new StringAsset(GLASSFISH_WEB), "glassfish-web.xml")
                .as(ZipExporter.class)
                .exportTo(war.toFile(), true);
        return war;
    }
}
