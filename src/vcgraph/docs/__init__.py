"""Human-readable HTML generated from the graph itself: ontology documentation and linked-data pages.

Our own small renderer (pyLODE 3.4.x does not import; 3.3.4 would pull a dependency tree for one page), in
English and French, with every text escaped: labels come from survey data and must not inject markup.
"""
