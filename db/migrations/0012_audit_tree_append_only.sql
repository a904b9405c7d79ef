-- Stored Merkle subtrees are written once, like the events they summarise.
CREATE TRIGGER audit_tree_nodes_no_update BEFORE UPDATE ON audit_tree_nodes
BEGIN SELECT RAISE(ABORT, 'audit_tree_nodes is append-only: UPDATE refused'); END;
--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_no_delete BEFORE DELETE ON audit_tree_nodes
BEGIN SELECT RAISE(ABORT, 'audit_tree_nodes is append-only: DELETE refused'); END;
