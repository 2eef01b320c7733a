import java.nio.file.*;
import java.util.*;
import jdk.jfr.consumer.*;

/** Usage: java AllocPerFrame.java rec.jfr appPrefix frames -> allocated bytes per frame by the app's threads. */
public class AllocPerFrame {
    public static void main(String[] a) throws Exception {
        String app = a[1];
        long frames = Long.parseLong(a[2]);
        Map<String, Long> lastByThread = new TreeMap<>();
        Map<String, Long> sampled = new HashMap<>();
        long sampledTotal = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ThreadAllocationStatistics")) {
                RecordedThread t = e.getThread("thread");
                if (t == null || t.getJavaName() == null || !t.getJavaName().startsWith(app)) continue;
                String name = t.getJavaName() + "#" + t.getJavaThreadId();
                lastByThread.merge(name, e.getLong("allocated"), Math::max);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                RecordedThread t = e.getThread("eventThread");
                if (t == null || t.getJavaName() == null || !t.getJavaName().startsWith(app)) continue;
                long w = e.getLong("weight");
                String cls = e.getClass("objectClass").getName();
                String site = "?";
                RecordedStackTrace st = e.getStackTrace();
                if (st != null) {
                    StringBuilder sb = new StringBuilder();
                    int n = 0;
                    for (RecordedFrame f : st.getFrames()) {
                        String m = f.getMethod().getType().getName();
                        m = m.substring(m.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
                        if (n++ > 0) sb.append(" < ");
                        sb.append(m);
                        if (n >= 3) break;
                    }
                    site = sb.toString();
                }
                String role = t.getJavaName().contains("StreamThread") ? "stream" : t.getJavaName().contains("inference") ? "worker" : "other";
                sampled.merge(role + " " + cls + " @ " + site, w, Long::sum);
                sampledTotal += w;
            }
        }
        long stream = 0, worker = 0, other = 0;
        for (var en : lastByThread.entrySet()) {
            String n = en.getKey();
            if (n.contains("StreamThread")) stream += en.getValue();
            else if (n.contains("inference")) worker += en.getValue();
            else other += en.getValue();
            System.out.printf("  %-90s %,15d%n", n, en.getValue());
        }
        System.out.printf("frames %d: stream threads %,d B/frame, inference workers %,d B/frame, other %,d B/frame, total processor %,d B/frame%n",
                frames, stream / frames, worker / frames, other / frames, (stream + worker) / frames);
        System.out.printf("sampled allocation (ObjectAllocationSample weights) %,d B/frame; top sites:%n", sampledTotal / frames);
        sampled.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(18)
                .forEach(en -> System.out.printf("  %,12d B/frame  %s%n", en.getValue() / frames, en.getKey()));
    }
}
