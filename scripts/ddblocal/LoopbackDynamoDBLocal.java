// Starts AWS DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDB Local has no host option: its ServerRunner builds a Jetty `Server(port)`, which listens on
// every interface. This launcher builds the same server from the same command-line arguments, sets
// the host of its Jetty connectors to the loopback address, and starts it. Telemetry is never set up
// (ServerRunner.main would do that; we also pass -disableTelemetry).
//
// Compiled by `make deps-ddblocal` (mk/ddblocal.mk) when a JDK is present; scripts/ddb_local.py falls
// back to `java -jar DynamoDBLocal.jar` (all interfaces) when it is not, and says so.
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public final class LoopbackDynamoDBLocal {
    private LoopbackDynamoDBLocal() {
    }

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("ddblocal.host", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        int bound = 0;
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector) {
                ((ServerConnector) connector).setHost(host);
                bound++;
            }
        }
        if (bound == 0) {
            throw new IllegalStateException("DynamoDB Local has no Jetty ServerConnector to bind to " + host);
        }
        proxy.start();
        System.out.println("LoopbackDynamoDBLocal: listening on " + host);
    }
}
