"""Drop-ins for other RAG frameworks: ``hanrag.integrations.llamaindex`` (extra ``llamaindex``) and
``hanrag.integrations.langchain`` (extra ``langchain``). Each imports its framework, so import
the one you use."""
