"""Classical IR, written once: words and the stemmer, BM25's IDF, the BM25 scorer.

Every other module (axioms, claims, the models ranklens builds, the cross-check) imports these;
none writes its own.
"""
