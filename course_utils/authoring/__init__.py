"""Tools for course authors, kept apart from what the notebooks import.

A learner never needs these; each is run as a command from the repository root:

=====================================================  ==================================================
``python -m course_utils.authoring.slides``            export the notebooks as offline reveal.js decks
                                                       (``make slides``); start reading there
``python -m course_utils.authoring.editions``          the student and solutions editions (``make student``,
                                                       ``make solutions``)
``python -m course_utils.authoring.handouts``          PDF handouts of the decks (``make handouts``)
``python -m course_utils.authoring.rise_settings``     the RISE settings in every notebook's metadata
``python -m course_utils.authoring.figures``           redraw ``figures/`` (``make figures``)
``python -m course_utils.authoring.bench``             time the course, write ``benchmarks/RESULTS.md``
``python -m course_utils.authoring.build_mnist_subset``  rebuild ``course_utils/assets/mnist_digits.gz``
=====================================================  ==================================================

The slide exporter is split by job: ``vendor`` (the JavaScript, via npm), ``slide_plan`` (which
cells make which slide), ``slide_preprocessors`` (nbconvert preprocessors that prepare each
notebook) and ``notebooks`` (the one notebook reader the tools and the tests share).
"""
