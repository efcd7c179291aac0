import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** Runs one SQL statement and prints the rows, '|'-separated: `java -cp target/sluice.jar scripts/Sql.java URL USER PASSWORD SQL`. */
public class Sql {
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], a[1], a[2]); Statement s = c.createStatement()) {
            if (!s.execute(a[3])) {
                System.out.println(s.getUpdateCount());
                return;
            }
            try (ResultSet rs = s.getResultSet()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        row.append(i > 1 ? "|" : "").append(rs.getString(i));
                    }
                    System.out.println(row);
                }
            }
        }
    }
}
