"""What ``nestry publish`` sends: metadata, the template and the code bundle it packs."""
