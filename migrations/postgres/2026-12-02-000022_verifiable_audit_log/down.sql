DROP TABLE audit_sequencer;
DROP TABLE audit_checkpoints;
DROP TABLE audit_tree;
DROP TABLE audit_tree_nodes;
DROP TABLE audit_queue;
