-- Extensible classifiers (client categories, report sources, life domains, contact types): the
-- entries administrators add, with a label in each language. Built-in entries live in the domain
-- (opora_domain::labels) and are not stored; a stored code never repeats a built-in one.
CREATE TABLE classifier_entries (
    list TEXT NOT NULL,
    code TEXT NOT NULL,
    label_en TEXT NOT NULL,
    label_uk TEXT NOT NULL,
    label_ru TEXT NOT NULL,
    label_cs TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (list, code)
);
