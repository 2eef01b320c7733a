package io.visionstream.topology.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scrape of {@code /metrics}, parsed: every sample by its series (name and labels as exposed), for tests
 * that compare counts before and after known events.
 */
record Scrape(String text, Map<String, Double> samples) {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Reads {@code url} once; a status other than 200 fails. */
    static Scrape of(URI url) throws IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return parse(response.body());
    }

    /** Parses the Prometheus text format: {@code name{labels} value} per line, comments skipped. */
    static Scrape parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int split = line.lastIndexOf(' ');
            samples.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
        }
        return new Scrape(text, samples);
    }

    /** The value of one series, e.g. {@code visionstream_outcomes_total{outcome="ok"}}; 0 when absent. */
    double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    /** The sum over every series of {@code name}, whatever its labels. */
    double sum(String name) {
        double sum = 0;
        for (var e : samples.entrySet()) {
            if (nameOf(e.getKey()).equals(name)) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** Every sample name exposed (with its {@code _bucket}, {@code _count}, {@code _total} suffix). */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.keySet().forEach(series -> names.add(nameOf(series)));
        return names;
    }

    private static String nameOf(String series) {
        int brace = series.indexOf('{');
        return brace < 0 ? series : series.substring(0, brace);
    }
}
