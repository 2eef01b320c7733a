package io.visionstream.topology.processing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The model named in every output's lineage.
 *
 * @param name e.g. the model directory's name
 * @param version e.g. the first 12 hex digits of the weights' SHA-256, so that two deployments with the
 *     same name but different weights are told apart
 */
public record ModelIdentity(String name, String version) {

    public ModelIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
    }

    /**
     * Names a model directory by its folder name, versions it by its weights file's content.
     *
     * @throws IOException if {@code model.safetensors} cannot be read
     */
    public static ModelIdentity of(Path modelDir) throws IOException {
        Path weights = modelDir.resolve("model.safetensors");
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(weights)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
        }
        String name = modelDir.toAbsolutePath().normalize().getFileName().toString();
        return new ModelIdentity(
                name, "sha256:" + HexFormat.of().formatHex(sha256.digest()).substring(0, 12));
    }
}
