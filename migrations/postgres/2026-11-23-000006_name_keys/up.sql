-- Match keys for the duplicate check (issue 3). `name_key` is a name folded by
-- opora_domain::names::name_key (lowercase, transliterated, sound-folded, first-name forms unified,
-- words sorted): "Олександр Шевченко", "Aleksandr Shevchenko" and "OLEKSANDR ŠEVČENKO" share one.
-- The folding is Rust code, so SQL cannot fill existing rows: the store fills every empty key when
-- it opens (`backfill_name_keys`), and writes the key with every create and update.
ALTER TABLE clients ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE client_members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX clients_name_key ON clients (name_key);
CREATE INDEX client_members_name_key ON client_members (name_key);

-- One row per word of a client's or a member's key: the indexed prefilter of the duplicate search
-- (a likely duplicate shares all words but at most one with the name searched, so looking the
-- words up finds it without scanning every client).
CREATE TABLE client_name_words (
    owner_id TEXT NOT NULL,
    word TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    member_id TEXT REFERENCES client_members (id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units (id),
    PRIMARY KEY (owner_id, word)
);
CREATE INDEX client_name_words_word ON client_name_words (word);
CREATE INDEX client_name_words_client ON client_name_words (client_id);
