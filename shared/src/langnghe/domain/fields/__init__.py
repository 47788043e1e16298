"""Fields (lĩnh vực) of petitions: the taxonomy, a suggestion of the field from free Vietnamese
text, and likely duplicates among a commune's open petitions. Pure; the labelled data under
`data/` is read on first use, never at import."""
