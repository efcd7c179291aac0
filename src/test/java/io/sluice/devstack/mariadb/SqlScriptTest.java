package io.sluice.devstack.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a schema file is cut into statements: at a ';' that ends a line, except inside a dollar-quoted body. */
class SqlScriptTest {

    @Test
    void cutsAtTheSemicolonThatEndsALineAndDropsComments() {
        assertThat(SqlScript.statements("""
                -- a comment
                CREATE TABLE a (id INT);

                INSERT INTO a VALUES (1),
                  (2);
                """)).containsExactly("CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1),\n  (2)");
    }

    @Test
    void keepsAFunctionBodyInDollarQuotesWhole() {
        String function = """
                CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  -- inside the body: kept
                  NEW.x := 1;
                  RETURN NEW;
                END;
                $$""";
        assertThat(SqlScript.statements(function + ";\nDROP TRIGGER IF EXISTS t ON a;\n"))
                .containsExactly(function, "DROP TRIGGER IF EXISTS t ON a");
    }

    @Test
    void aBodyOpenedAndClosedOnOneLineDoesNotHideTheEnd() {
        assertThat(SqlScript.statements("""
                DO $$ BEGIN PERFORM 1; END $$;
                SELECT 2;
                """)).containsExactly("DO $$ BEGIN PERFORM 1; END $$", "SELECT 2");
    }
}
