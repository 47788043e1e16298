"""Fields (lĩnh vực) of petitions: the taxonomy intake checks submissions against. Pure.

The field suggestion and duplicate detection built on the labelled petitions, which no service
calls yet, live in the tools distribution (`langnghe.tools.fields`)."""
