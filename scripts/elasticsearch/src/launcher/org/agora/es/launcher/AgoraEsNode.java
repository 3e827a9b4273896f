package org.agora.es.launcher;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one Elasticsearch node in this JVM, from the server jars on the module path.
 *
 * The official distribution starts the server through its CLI (which serialises the settings
 * to the server's stdin and installs the entitlement agent). That CLI and agent are not on Maven
 * Central, so this launcher does the part of org.elasticsearch.bootstrap.Elasticsearch that a
 * local development node needs: logging, environment (ES home + config dir), modules, Node.start().
 * There is no security manager / entitlement sandbox, which is fine for a loopback-only dev node.
 *
 * System properties: es.path.home (holds modules/), es.path.conf (holds elasticsearch.yml and
 * log4j2.properties). SIGTERM closes the node cleanly.
 */
public final class AgoraEsNode {

    public static void main(String[] args) {
        PrintStream stderr = System.err; // Elasticsearch redirects System.out/err into its logs
        try {
            run(stderr);
        } catch (Throwable t) {
            stderr.println("agora-es: failed to start Elasticsearch");
            t.printStackTrace(stderr);
            stderr.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(PrintStream stderr) throws Exception {
        LogConfigurator.configureESLogging();
        Path home = Path.of(System.getProperty("es.path.home")).toAbsolutePath();
        Path conf = Path.of(System.getProperty("es.path.conf", home.resolve("config").toString())).toAbsolutePath();

        Settings initial = Settings.builder().put("path.home", home.toString()).build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(initial, Map.of(), conf, () -> "agora-es");

        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(env.settings()));
        LogConfigurator.setClusterName(env.settings().get("cluster.name", "elasticsearch"));
        LogConfigurator.configure(env, true);

        PluginsLoader plugins = PluginsLoader.createPluginsLoader(
            PluginsLoader.loadModulesBundles(env.modulesDir()),
            PluginsLoader.loadPluginsBundles(env.pluginsDir()),
            Map.of());

        Node node = new Node(env, plugins);

        // Node threads are daemons: keep the JVM alive until a shutdown signal arrives.
        CountDownLatch stopped = new CountDownLatch(1);
        Thread keepAlive = new Thread(() -> {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agora-es-keepalive");
        keepAlive.setDaemon(false);
        keepAlive.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace(stderr);
            } finally {
                stopped.countDown();
            }
        }, "agora-es-shutdown"));

        node.start();
        stderr.println("agora-es: node started");
        stderr.flush();
    }
}
