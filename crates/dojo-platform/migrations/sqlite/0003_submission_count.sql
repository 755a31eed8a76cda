-- SQLite counts results with a trigger, so one INSERT ... SELECT both checks the cap and
-- counts (a single SQLite statement is atomic and writers are serialised).
CREATE TRIGGER platform_submissions_count
    AFTER INSERT ON platform_submissions
    BEGIN UPDATE platform_tasks SET results = results + 1 WHERE id = NEW.task_id; END;
