-- A second statement per migration: both engines run a migration's statements as one unit.
ALTER TABLE alpha_items ADD COLUMN note TEXT;
INSERT INTO alpha_items (id, name) VALUES (1, 'seed');
