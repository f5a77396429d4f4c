"""Source articles and their evidence: reading and hashing articles (``sources/<stem>.txt``),
the quote gate and the support check run by ``kg validate`` and ``kg build``, locating quotes,
adding a source, proposing statement nodes, and drafting facts for an article."""
