"""The field suggestion and duplicate detection over free Vietnamese text, and their
evaluation on the labelled petitions under `data/` (synthetic; read on first use, never at
import). No service calls them yet; the taxonomy they use is the runtime's
(`langnghe.domain.fields.taxonomy`)."""
