"""Source articles and their evidence: reading and hashing articles (``sources/<stem>.txt``),
the quote gate run by ``kg validate`` and ``kg build``, locating quotes, adding a source, and
drafting facts for an article."""
